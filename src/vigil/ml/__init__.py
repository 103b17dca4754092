"""Machine learning, pure: training sets from the feature catalog, LightGBM models, calibration,
thresholds, explanations and drift. No I/O: artifacts are bytes and text; the registry is a port."""
