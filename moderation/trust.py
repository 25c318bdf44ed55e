"""How much one flag weighs, and whose content waits for a moderator instead of hiding at once.

Brigading (#16, finding 6): accounts are free, so counting heads lets a few fresh accounts hide anything.
A flag weighs by its author's standing instead:

- an account without a confirmed e-mail weighs nothing (its flag is kept for the moderators' queue);
- a confirmed account younger than `MODERATION_TRUST_NEW_DAYS` weighs 0.5, an older one 1;
- each past flag a moderator upheld (content removed) adds 0.5 (at most 1 more), each one a moderator
  rejected (content restored) takes 0.5 away; officials' flags weigh 2; a weight stays between 0 and 2.

Content is hidden once the open flags on it weigh `MODERATION_FLAGS_TO_HIDE` (3) or more, unless its author
is an official body or an established account (confirmed e-mail, older than `MODERATION_ESTABLISHED_DAYS`):
that content stays visible until a moderator decides. Flags on one target are limited to
`MODERATION_FLAGS_PER_TARGET_PER_HOUR` (from everybody together), so a swarm cannot pile on in minutes.
"""
import datetime
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

def _setting(name: str, default):
    return getattr(settings, name, default)


def flagger_weight(user, *, upheld: int = 0, rejected: int = 0) -> float:
    """The weight of `user`'s flag, given how many of their past flags moderators upheld and rejected."""
    if user is None or not user.is_active:
        return 0.0
    if user.is_official:
        return 2.0
    if not user.email_verified:
        return 0.0
    age = timezone.now() - user.date_joined
    weight = 0.5 if age < datetime.timedelta(days=_setting("MODERATION_TRUST_NEW_DAYS", 7)) else 1.0
    weight += min(upheld * 0.5, 1.0) - rejected * 0.5
    return max(0.0, min(weight, 2.0))


def flags_weight(flags) -> float:
    """The summed weight of open flags (a Flag queryset), each flagger's record counted once."""
    from .models import Flag

    total = 0.0
    for flag in flags.select_related("user"):
        past = Flag.objects.filter(user_id=flag.user_id).exclude(pk=flag.pk)
        total += flagger_weight(flag.user, upheld=past.filter(state=Flag.State.REMOVED).count(),
                                rejected=past.filter(state=Flag.State.RESTORED).count())
    return total


def author_is_established(user) -> bool:
    """Official bodies and established accounts: their content is hidden only by a moderator's decision."""
    if user is None or not user.is_active:
        return False
    if user.is_official:
        return True
    age = timezone.now() - user.date_joined
    return user.email_verified and age >= datetime.timedelta(days=_setting("MODERATION_ESTABLISHED_DAYS", 30))


def target_flag_wait(target_type: str, target_id: int) -> float | None:
    """Count one flag on the target; None if allowed, else seconds until the next one is."""
    limit = _setting("MODERATION_FLAGS_PER_TARGET_PER_HOUR", 10)
    key, now = f"flags:target:{target_type}:{target_id}", time.time()
    history = [t for t in cache.get(key, []) if t > now - 3600]
    if len(history) >= limit:
        return max(1.0, 3600 - (now - history[limit - 1]))
    cache.set(key, [now, *history], 3600)
    return None
