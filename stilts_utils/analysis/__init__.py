"""Layer 6: analysis and reporting. Reads only a study folder (results.parquet, languages.csv): gains and
effects, statistics, figures, the reports behind the analysis notebooks, the explorer and the summary."""
