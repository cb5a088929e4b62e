# SPDX-License-Identifier: Apache-2.0
"""Datasets for the training recipe (incept_convert.train): `synthetic`, the built-in procedurally generated
shapes-and-textures dataset the bundled default model is trained on."""
