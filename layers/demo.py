from .models import Dataset
from .opendata import SEOUL_DATASETS, opendata_load


def load_demo(stdout):
    for slug, spec in SEOUL_DATASETS.items():
        if not Dataset.objects.filter(slug=slug).exists():
            opendata_load(slug)
        else:  # datasets loaded before a field was added get the spec's current description
            Dataset.objects.filter(slug=slug).update(property_fields=spec.get("property_fields", {}))
    stdout.write(f"open data layers: {', '.join(SEOUL_DATASETS)}")
