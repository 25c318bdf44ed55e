from django.http import Http404
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated

from .models import Job
from .serializers import JobSerializer


class JobDetailApi(generics.RetrieveAPIView):
    """State and progress of a background job (imports, tileset builds, analyses)."""

    serializer_class = JobSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self):
        job = Job.objects.filter(pk=self.kwargs["pk"]).first()
        if job is None or not job.can_view(self.request.user):
            raise Http404
        return job
