"""The parts of ``conformance.check`` (the public entry point lives in ``conformance.api``):

inputs         the user's x (a list, a numpy array, a framework tensor that requires grad) as float64
               numpy on the dtype's grid; complex inputs refused with the frameworks' conventions
oracle_choice  the Case built from the user's function, and per input the oracle that judges it
               (mpmath; complex step where the reference agrees with Richardson; Richardson) with the
               smallest relative error each row can resolve
more_checks    the checks the suite's menu lacks for user functions: forward-over-forward, and
               float16/bfloat16 first and second derivatives
mechanisms     which API variants run each check (the default falls through to the variant that can
               run the rule's mechanism; the adapters name their framework's refusals)
domain         inputs drawn by hypothesis from a domain, the special points, shrinking a failure
table          Row, CheckResult and its table
"""
