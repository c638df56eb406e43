"""The bottom layer: helpers every app may import, importing no app (and no Django, unless a module says so)."""
