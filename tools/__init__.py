"""Developer tools that write files: not part of the installed package, never imported by it.

`python -m tools.screenshots DIR` (`make screenshots`) and `python -m tools.gen_geo_data`
(regenerates `sms_tui/core/geo_data.py`) wire the runtime layers together from the outside.
"""
