from rest_framework import generics
from rest_framework.permissions import IsAuthenticated

from .selectors import job_access
from .serializers import JobSerializer


class JobDetailApi(generics.RetrieveAPIView):
    """State and progress of a background job (imports, tileset builds, analyses)."""

    serializer_class = JobSerializer
    permission_classes = [IsAuthenticated]

    def get_object(self):
        return job_access(user=self.request.user, job_id=self.kwargs["pk"])
