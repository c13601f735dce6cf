"""The one thing pyproject.toml cannot say: which packages to build.

Its `packages.find` finds packages under one folder only, and the shipped files are a
package that lives outside src/: resources/ at the top of the repository, built into the
package as `followthrough.resources` (the mapping is in pyproject.toml, package-dir).
Everything else about the project is in pyproject.toml.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages("src"), "followthrough.resources"])
