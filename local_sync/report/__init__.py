"""What a sync shows: the text summary, the HTML report and its charts."""
