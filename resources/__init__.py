"""The files shipped with the app: its icon, the sample pipeline, the built-in templates.

They live at the top of the repository, where a newcomer finds them, and are shipped inside
the package as `followthrough.resources` (pyproject.toml maps this folder in; the PyInstaller
spec copies it to the same place in the bundle). Code finds them with
`followthrough.shipped.resource_path`, the same way wherever the app runs from.
"""
