from sms_tui.cli import main

main()
