from gkplan.cli import main

main()
