"""Business cards: reading them from images, what their text means, and their images."""
