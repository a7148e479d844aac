dataset = quarantine | sort quarantined_at desc | limit 20
