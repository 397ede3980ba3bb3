"""Page-level image work and OCR: rasterise, orient, deskew, recognise, assemble."""
