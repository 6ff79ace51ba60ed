from meishi.cli import main

main()
