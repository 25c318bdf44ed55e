"""The layers this app owns: the city's open datasets, one layer `dataset-<slug>` each."""
from django.db.models import F
from django.db.models.fields.json import KT

from geoplatform.messages import reader_text

from .models import Dataset, DatasetFeature
from .registry import Layer, registry

DATASET_STYLE = {"color": "#2a9d8f", "radius": 4}


def dataset_layer(dataset: Dataset) -> Layer:
    property_fields = {name: key for name, key in (dataset.property_fields or {}).items()
                       if name.isidentifier() and name not in ("name", "geom", "id")}

    def queryset(viewer, dataset_id=dataset.pk, props=property_fields):
        annotations = {name: KT(f"properties__{key}") for name, key in props.items()}
        return DatasetFeature.objects.filter(dataset_id=dataset_id).annotate(**annotations)

    return Layer(
        name=dataset.layer_name,
        title_ko=dataset.title_ko,
        title_en=dataset.title_en,
        description_ko=dataset.description_ko,
        description_en=dataset.description_en,
        geometry_type=dataset.geometry_type,
        fields=("name", *property_fields),
        attribution=dataset.attribution,
        queryset_factory=queryset,
        static_queryset=True,
        aggregated=dataset.geometry_type == "point",
        style=DATASET_STYLE,
        legend=[{"label": reader_text(ko=dataset.title_ko, en=dataset.title_en), "color": DATASET_STYLE["color"]}],
        version_factory=lambda stamp=dataset.updated_at: stamp.isoformat() if stamp else "0",
        meta={"dataset_id": dataset.pk, "slug": dataset.slug, "license": dataset.license, "source": dataset.source},
    )


def _resolve(slug: str):
    dataset = Dataset.objects.published().filter(slug=slug).first()
    return dataset_layer(dataset) if dataset else None


def _list(viewer):
    return [dataset_layer(dataset) for dataset in Dataset.objects.published()]


registry.register_family("dataset", _resolve, _list)
