from gkplan import main

main()
