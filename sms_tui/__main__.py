from sms_tui.launch import main

main()
