"""QR cover, part and separator sheets: a stage beside ``ocr/`` and ``sources``.

``payload`` is what a sheet says (text only), ``split`` reads sheets off
scanned pages and splits a stack into files and parts, ``render`` prints
sheets and makes cheap page previews, ``patch`` prints and reads Kodak
patch-code separator sheets, and ``stacks`` opens a PDF or multi-page TIFF
stack and copies runs of its pages out losslessly. Nothing here touches the
registry: the hot folder (``hotfolder/runner.py``) and the CLI use these modules.
"""
