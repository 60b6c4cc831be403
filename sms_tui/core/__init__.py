"""Pure domain rules: no I/O, no Textual, nothing imported from the rest of sms_tui."""
