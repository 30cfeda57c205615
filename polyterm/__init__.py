"""polyterm: are the polysemantic groupings inside one embedding model the same in another?"""

__version__ = "0.1.0"
