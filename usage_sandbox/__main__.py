from usage_sandbox.cli import main

main()
