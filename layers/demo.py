from .models import Dataset
from .opendata import SEOUL_DATASETS, opendata_load


def load_demo(stdout):
    for slug in SEOUL_DATASETS:
        if not Dataset.objects.filter(slug=slug).exists():
            opendata_load(slug)
    stdout.write(f"open data layers: {', '.join(SEOUL_DATASETS)}")
