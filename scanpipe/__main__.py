from scanpipe.cli import main

main()
