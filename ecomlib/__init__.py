"""ecomlib: the small library behind the EcomGPT reproduction.

Data flows one way: world/sources -> records -> tasks -> instructions -> EcomInstruct -> training
-> evaluation -> report. Each arrow is one module; see README.md and DESIGN.md.
"""

__version__ = "0.1.0"
