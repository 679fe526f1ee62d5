"""The shell verbs of ``ecomlib``, one module per verb (``ecomlib/cli.py`` maps each verb to its module).

Each module provides ``add_arguments(parser)`` and ``run(args) -> int`` (and ``OUTPUT`` when it writes), and
is imported only when its verb runs, so its module-level imports cost nothing to ``ecomlib --help``. The top
layer of the data flow: a verb module may import any package of ecomlib; nothing in the library imports it.
"""
