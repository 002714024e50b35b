"""Builds webaccel's synthetic-weight stand-in models with onnx.helper.

Weights come from numpy's legacy RandomState with fixed seeds, so the same
numpy and onnx give the same bytes on every machine: config/models.sha256
holds their checksums and the setup command checks them.
"""
