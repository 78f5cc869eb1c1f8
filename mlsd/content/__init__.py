"""Content: what a practice session and a checklist are made of, read from data files.

The strict YAML loader (`yamlfile`), scenarios (`scenario`, `skeleton` for
`mlsd scenarios new/validate`), the ten-step framework (`framework`, from
`mlsd/data/framework.yaml`) and the checklist built from both. No numpy here:
`mlsd scenarios` and `mlsd checklist` must start fast.
"""
