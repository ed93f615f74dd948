"""The bottom layer every other package may import: errors, home, faults, resources, the lock.

Nothing here imports a third-party package, so importing it costs nothing and cannot fail.
"""
