from layers.registry import Layer, registry

from .models import BenchPoint, BenchPolygon

registry.register(Layer(
    name="benchpoints", title_ko="벤치마크 점", title_en="Benchmark points (1,000,000)", geometry_type="point",
    fields=("name", "category", "value"), queryset_factory=lambda viewer: BenchPoint.objects.all(), static_queryset=True,
    aggregated=True,
    style={"color": "#e76f51", "radius": 3},
))
registry.register(Layer(
    name="benchpolygons", title_ko="벤치마크 면", title_en="Benchmark polygons (50,000)", geometry_type="polygon",
    fields=("name", "category"), queryset_factory=lambda viewer: BenchPolygon.objects.all(), static_queryset=True,
    aggregated=True,
    style={"color": "#264653", "fill_opacity": 0.3},
))
