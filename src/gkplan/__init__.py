"""gkplan: the supervision ledger (督查总台账) of a university work plan, on the command line."""

__version__ = "0.1.0"
