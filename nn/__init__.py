"""valuegrad's neural-network package: modules, layers, losses, optimizers (see issue #3)."""
