"""Benchmarks: derivative cost per framework, API variant, mode (eager/compiled), device and size,
for elementary operators (``operators``) and the AD-literature workloads GMM and D-LSTM
(``workloads``), timed by ``harness`` and written as ``kind="benchmark"`` records by ``command``."""
