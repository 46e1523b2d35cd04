"""xAPI: statement vocabulary, builders, validation, the embedded LRS and forwarding."""
