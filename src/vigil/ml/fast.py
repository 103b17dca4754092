"""LightGBM's fast single-row prediction path, for scoring one event at a time.

``Booster.predict`` on one row spends most of its time in Python: argument checks, a fresh config
parsed from a parameter string, new output arrays. LightGBM's C API keeps that set-up in a
"fast config" (``LGBM_BoosterPredictForMatSingleRowFastInit``), after which each row costs one
C call (``LGBM_BoosterPredictForMatSingleRowFast``). ``FastBooster`` holds two of them for a
binary model, one for the margin (raw score) and one for the per-feature contributions (TreeSHAP,
what ``pred_contrib=True`` returns), with their output buffers and ctypes arguments made once.

The results are LightGBM's own, bit for bit: the same C code scores the same trees. Like
``Booster.predict``, the fast path uses the booster's ``best_iteration`` when it has one (a model
trained with early stopping), otherwise every tree.

Costs (``benchmarks/bench_ml_inference.py``, 300 trees of 31 leaves, 60 features, this 2-core machine):
the margin about 21-23 µs p50, of which the Python side is under 1 µs with a reused row buffer and
1-2 µs with a new row array; exact contributions about 2.3 ms p50, a hundred times the margin
(TreeSHAP walks every path of every tree), so when both are computed the contributions are the cost
and the fast path saves little over ``Booster.predict`` (1.2x, against 2.4x for the margin).

Set-up side effect: LightGBM's fast init applies ``num_threads=1`` as its process-wide default thread
count, until the next LightGBM call that carries its own parameters (training, ``Booster.predict``).

Rules of use:

* One ``FastBooster`` serves one thread. Its output buffers are shared between calls, so two
  threads calling it at once would read each other's results (LightGBM itself locks each fast
  config, so this is about correctness of the answers, not memory safety). The engine is
  single-threaded per worker; give each worker thread its own ``FastBooster``.
* The booster must not change while a ``FastBooster`` wraps it: no further training, no
  ``rollback_one_iter``, no ``model_from_string`` on the same object (which frees the handle the
  fast configs point at). ``FastBooster`` keeps a reference to the booster so that the handle
  outlives the configs.
* ``close()`` (or the ``with`` block) frees the configs; later calls raise ``RuntimeError``
  ("FastBooster is closed"), a programming error rather than bad input. ``__del__`` closes too,
  but prefer closing explicitly: if a FastBooster and its booster die together in a garbage
  cycle, Python does not promise which finaliser runs first.

A row is a C-contiguous float64 1-D array of length ``n_features``, NaN for a missing value;
anything else raises ``InvalidInput`` (no silent conversion: a copy on every call is exactly the
cost this module exists to avoid). The last row's address is remembered, so an engine that refills
one row buffer per event (as ``vigil.ml.scorer`` does) pays only a shape and dtype check per call.
"""

from __future__ import annotations

import ctypes
import math
from types import TracebackType
from typing import Any

import lightgbm
import numpy as np
import numpy.typing as npt
from lightgbm.basic import (
    _C_API_DTYPE_FLOAT64,
    _C_API_PREDICT_CONTRIB,
    _C_API_PREDICT_LEAF_INDEX,
    _C_API_PREDICT_RAW_SCORE,
    LightGBMError,
)
from lightgbm.libpath import _LIB

from vigil.errors import InvalidInput

__all__ = ["FastBooster"]

_F64 = np.dtype(np.float64)
_NO_ROW: npt.NDArray[np.float64] = np.empty(0)  # "no row seen yet": never a caller's array
_PARAMETERS = b"num_threads=1"  # one row is scored on the calling thread; no OpenMP team

# Private function objects (``_LIB[name]`` makes a new one each time), so setting argtypes here
# does not change the ``_LIB`` attributes lightgbm itself calls.
_init = _LIB["LGBM_BoosterPredictForMatSingleRowFastInit"]
_init.argtypes = [
    ctypes.c_void_p,  # BoosterHandle
    ctypes.c_int,  # predict_type
    ctypes.c_int,  # start_iteration
    ctypes.c_int,  # num_iteration (<= 0: all)
    ctypes.c_int,  # data_type
    ctypes.c_int32,  # ncol
    ctypes.c_char_p,  # parameter
    ctypes.POINTER(ctypes.c_void_p),  # out FastConfigHandle
]
_init.restype = ctypes.c_int
_calc_num_predict = _LIB["LGBM_BoosterCalcNumPredict"]
_calc_num_predict.argtypes = [
    ctypes.c_void_p,  # BoosterHandle
    ctypes.c_int,  # num_row
    ctypes.c_int,  # predict_type
    ctypes.c_int,  # start_iteration
    ctypes.c_int,  # num_iteration
    ctypes.POINTER(ctypes.c_int64),  # out_len
]
_calc_num_predict.restype = ctypes.c_int
_free = _LIB["LGBM_FastConfigFree"]
_free.argtypes = [ctypes.c_void_p]
_free.restype = ctypes.c_int
# The hot call has no argtypes on purpose: every argument is already a ctypes object (c_void_p or a
# byref), which ctypes passes as a pointer without the per-argument conversion argtypes would add.
_predict = _LIB["LGBM_BoosterPredictForMatSingleRowFast"]
_predict.restype = ctypes.c_int


def _check(ret: int) -> None:
    if ret != 0:
        raise LightGBMError(_LIB.LGBM_GetLastError().decode("utf-8"))


class FastBooster:
    """A binary LightGBM booster's margin, probability and contributions, one row at a time.

    Not thread-safe: one instance per thread (see the module docstring). Usable as a context
    manager; ``close()`` is idempotent.
    """

    __slots__ = (
        "_booster",
        "_contrib_cfg",
        "_contrib_out",
        "_contrib_ref",
        "_leaf_cfg",
        "_leaf_out",
        "_leaf_ref",
        "_len_ref",
        "_out_len",
        "_raw_cfg",
        "_raw_out",
        "_raw_ref",
        "_row",
        "_row_arg",
        "_shape",
        "_sigmoid",
        "n_features",
    )

    def __init__(self, booster: lightgbm.Booster) -> None:
        self._raw_cfg: ctypes.c_void_p | None = None  # first, so that close() works if set-up fails
        self._contrib_cfg: ctypes.c_void_p | None = None
        self._leaf_cfg: ctypes.c_void_p | None = None
        if booster.num_model_per_iteration() != 1:
            raise InvalidInput(
                f"FastBooster serves binary models (one tree per iteration); this booster has "
                f"{booster.num_model_per_iteration()} per iteration",
                field="booster",
            )
        objective = str(booster.params.get("objective", "unknown"))
        if objective != "binary":
            raise InvalidInput(
                f"FastBooster serves binary models; this booster's objective is {objective!r}",
                field="booster",
            )
        self._booster = booster  # keeps the handle alive as long as the configs
        self._sigmoid = float(booster.params.get("sigmoid", 1.0))
        self.n_features: int = booster.num_feature()
        self._shape = (self.n_features,)
        iterations = booster.best_iteration  # what Booster.predict uses; <= 0 means every tree

        self._out_len = ctypes.c_int64(0)
        self._len_ref: Any = ctypes.byref(self._out_len)
        self._raw_out = ctypes.c_double(0.0)
        self._raw_ref: Any = ctypes.byref(self._raw_out)
        width = self._output_width(_C_API_PREDICT_CONTRIB, iterations)
        if self._output_width(_C_API_PREDICT_RAW_SCORE, iterations) != 1 or width != self.n_features + 1:
            raise InvalidInput(
                f"FastBooster expects 1 raw score and {self.n_features + 1} contributions per row",
                field="booster",
            )
        self._contrib_out: npt.NDArray[np.float64] = np.zeros(width, dtype=np.float64)
        self._contrib_ref = ctypes.c_void_p(self._contrib_out.ctypes.data)
        trees = self._output_width(_C_API_PREDICT_LEAF_INDEX, iterations)
        self._leaf_out: npt.NDArray[np.float64] = np.zeros(trees, dtype=np.float64)
        self._leaf_ref = ctypes.c_void_p(self._leaf_out.ctypes.data)
        self._row = _NO_ROW  # the last row seen, and its address
        self._row_arg: Any = None
        try:
            self._raw_cfg = self._fast_config(_C_API_PREDICT_RAW_SCORE, iterations)
            self._contrib_cfg = self._fast_config(_C_API_PREDICT_CONTRIB, iterations)
            self._leaf_cfg = self._fast_config(_C_API_PREDICT_LEAF_INDEX, iterations)
        except BaseException:
            self.close()  # the raw config, if only the contributions config failed
            raise

    def _output_width(self, predict_type: int, iterations: int) -> int:
        width = ctypes.c_int64(0)
        _check(_calc_num_predict(self._booster._handle, 1, predict_type, 0, iterations, ctypes.byref(width)))
        return width.value

    def _fast_config(self, predict_type: int, iterations: int) -> ctypes.c_void_p:
        handle = ctypes.c_void_p()
        _check(
            _init(
                self._booster._handle,
                predict_type,
                0,
                iterations,
                _C_API_DTYPE_FLOAT64,
                self.n_features,
                _PARAMETERS,
                ctypes.byref(handle),
            )
        )
        return handle

    @property
    def booster(self) -> lightgbm.Booster:
        return self._booster

    # -- the hot path ---------------------------------------------------------------------------

    def raw(self, row: npt.NDArray[np.float64]) -> float:
        """The margin (log-odds) of one row: ``booster.predict(row[None], raw_score=True)[0]``."""
        if row is self._row and row.shape == self._shape and row.dtype is _F64:
            arg = self._row_arg
        else:
            arg = self._adopt(row)
        cfg = self._raw_cfg
        if cfg is None:
            raise RuntimeError("FastBooster is closed")
        if _predict(cfg, arg, self._len_ref, self._raw_ref):
            _check(-1)
        return self._raw_out.value

    def probability(self, row: npt.NDArray[np.float64]) -> float:
        """The model's probability of one row, as ``booster.predict`` returns it (sigmoid of the margin)."""
        try:
            return 1.0 / (1.0 + math.exp(-self._sigmoid * self.raw(row)))  # LightGBM's formula, to the bit
        except OverflowError:  # a margin below about -709: C's exp gives inf there, and 1 / inf is 0
            return 0.0

    def contributions(self, row: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Each feature's contribution to the margin, then the expected value (length ``n_features + 1``).

        ``booster.predict(row[None], pred_contrib=True)[0]``; the values sum to the margin. A new
        array each call (the internal buffer is reused).
        """
        if row is self._row and row.shape == self._shape and row.dtype is _F64:
            arg = self._row_arg
        else:
            arg = self._adopt(row)
        cfg = self._contrib_cfg
        if cfg is None:
            raise RuntimeError("FastBooster is closed")
        if _predict(cfg, arg, self._len_ref, self._contrib_ref):
            _check(-1)
        return self._contrib_out.copy()

    def leaves(self, row: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """The leaf each tree puts the row in (``pred_leaf=True``), as LightGBM returns them (doubles).

        The internal buffer itself, valid until the next call: copy it to keep it. One C call, as
        cheap as the margin; ``vigil.ml.attribution`` turns it into the margin and per-feature shares.
        """
        if row is self._row and row.shape == self._shape and row.dtype is _F64:
            arg = self._row_arg
        else:
            arg = self._adopt(row)
        cfg = self._leaf_cfg
        if cfg is None:
            raise RuntimeError("FastBooster is closed")
        if _predict(cfg, arg, self._len_ref, self._leaf_ref):
            _check(-1)
        return self._leaf_out

    def _adopt(self, row: object) -> Any:
        """Check a row not seen on the last call and remember its address for the next one."""
        n = self.n_features
        if not isinstance(row, np.ndarray):
            raise InvalidInput(
                f"expected a numpy float64 array of length {n}, got {type(row).__name__}", field="row"
            )
        if row.shape != self._shape:
            raise InvalidInput(f"expected a 1-D array of length {n}, got shape {row.shape}", field="row")
        if row.dtype != _F64:
            raise InvalidInput(f"expected dtype float64 of length {n}, got dtype {row.dtype}", field="row")
        if not (row.flags.c_contiguous and row.flags.aligned):
            raise InvalidInput("expected a C-contiguous, aligned array (np.ascontiguousarray)", field="row")
        try:
            # The cheapest way to the address. (numpy's stubs declare ndarray a Buffer on Python 3.12+ only.)
            arg: Any = ctypes.byref(ctypes.c_double.from_buffer(row))  # type: ignore[arg-type,unused-ignore]
        except TypeError:  # a read-only array: ctypes will not wrap it, so take the address from numpy
            arg = ctypes.c_void_p(row.ctypes.data)
        self._row = row  # the reference also keeps the memory at that address alive
        self._row_arg = arg
        return arg

    # -- life cycle -----------------------------------------------------------------------------

    def close(self) -> None:
        """Free the fast configs. Idempotent; later predictions raise ``RuntimeError``."""
        for name in ("_raw_cfg", "_contrib_cfg", "_leaf_cfg"):
            handle = getattr(self, name, None)  # __del__ after a failed __init__ may lack the slot
            if handle is not None:
                setattr(self, name, None)
                _check(_free(handle))

    def __del__(self) -> None:
        self.close()

    def __enter__(self) -> FastBooster:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
