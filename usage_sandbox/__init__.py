"""A local HTTP stand-in for the Leadfeeder, InsideView, Whitepages and Leaf usage APIs."""
