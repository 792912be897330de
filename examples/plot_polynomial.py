"""
Ridge and lasso on a degree-15 polynomial
=========================================

Placeholder.
"""

import matplotlib.pyplot as plt
import numpy as np

fig, ax = plt.subplots()
ax.plot(np.arange(3))
