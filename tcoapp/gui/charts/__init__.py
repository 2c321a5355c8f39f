"""Chart hosting: the Qt canvas panel that draws the reports package's matplotlib figures."""
