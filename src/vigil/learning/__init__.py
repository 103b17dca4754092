"""The learning loop as a service: train, compare, promote and watch drift, through the label and
model-registry ports."""
