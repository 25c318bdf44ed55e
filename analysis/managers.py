from django.db import models


class AnalysisQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)



class AnalysisCellQuerySet(models.QuerySet):
    def of_output(self, output):
        return self.filter(output=output)

    def shown(self):
        """Rows with a value the public may see (suppressed rows carry no value)."""
        return self.filter(suppressed=False)
