"""Reading issue files of every kind and turning them into articles and chunks."""
