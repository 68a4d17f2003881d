"""What every audience shares: callback data, filters, states, texts, formatting, the command menu."""
