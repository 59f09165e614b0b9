"""Judgements shared by every kind: image references, shell commands, where a finding lands.

A Dockerfile RUN, a workflow `run:`, a compose `command:` and a Kubernetes
container's `command`/`args` say the same things in different files; the
checks of each kind ask this package, so the same command or image gets the
same judgement, in the same words, wherever it is written. Modules here read
plain data (argv lists, parsed commands, image strings) and know nothing of
loaders or rules. `images.parse_image` imports nothing, so loaders may use it
to describe the images they read (the Dockerfile rules' schema needs the parts).
"""
