"""Package list for setuptools: everything under ``conformance/`` plus ``adapters/`` installed as
``conformance.adapters``. A wheel built from this repo has no top-level import name but ``conformance``
(``adapters`` on PyPI belongs to another project)."""

from setuptools import find_packages, setup

packages = find_packages(include=["conformance", "conformance.*"])
packages += ["conformance.adapters"] + ["conformance.adapters." + name for name in find_packages("adapters")]
package_dir = {"conformance": "conformance", "conformance.adapters": "adapters"}
package_dir.update({"conformance.adapters." + n: "adapters/" + n.replace(".", "/") for n in find_packages("adapters")})

setup(packages=packages, package_dir=package_dir)
