from django.dispatch import Signal

# Sent by `services.seoul_load` when districts that existed before got another Korean or English name
# (`district_ids`: their primary keys); receivers update what they stored of the names (e.g. reports' routing).
districts_renamed = Signal()
