"""Pre-translated, versioned question sets.

Everything is language-neutral (stable codes) with texts in every language. A request keeps
the exact version it was sent with: a set that has been used is never edited; operators
publish a new version instead (``services.question_set_new_version``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openimi.core.i18n import pick


class QuestionType(models.TextChoices):
    YES_NO = "yes_no", pgettext_lazy("question type", "Yes or no")
    YES_NO_UNKNOWN = "yes_no_unknown", pgettext_lazy("question type", "Yes, no or unknown")
    SINGLE_CHOICE = "single_choice", pgettext_lazy("question type", "One option")
    MULTIPLE_CHOICE = "multiple_choice", pgettext_lazy("question type", "Several options")
    DATE = "date", pgettext_lazy("question type", "Date")
    NUMBER = "number", pgettext_lazy("question type", "Number")
    TEXT = "text", pgettext_lazy("question type", "Free text")
    FILE = "file", pgettext_lazy("question type", "Document")


class QuestionSet(models.Model):
    code = models.SlugField(_("code"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    legal_area = models.ForeignKey("core.LegalArea", on_delete=models.PROTECT, related_name="question_sets")
    titles = models.JSONField(_("titles"), default=dict)
    is_current = models.BooleanField(_("current version"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["legal_area", "code", "-version"]
        verbose_name = _("question set")
        verbose_name_plural = _("question sets")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="questionset_code_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=models.Q(is_current=True), name="questionset_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{pick(self.titles)} (v{self.version})"

    @property
    def title(self) -> str:
        return pick(self.titles)


class QuestionGroup(models.Model):
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="groups")
    code = models.SlugField(max_length=64)
    position = models.PositiveIntegerField(default=0)
    titles = models.JSONField(default=dict)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["question_set", "code"], name="questiongroup_unique")]

    def __str__(self) -> str:
        return pick(self.titles)

    @property
    def title(self) -> str:
        return pick(self.titles)


class Question(models.Model):
    question_set = models.ForeignKey(QuestionSet, on_delete=models.CASCADE, related_name="questions")
    group = models.ForeignKey(QuestionGroup, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(max_length=64)
    position = models.PositiveIntegerField(default=0)
    type = models.CharField(max_length=20, choices=QuestionType.choices)
    texts = models.JSONField(default=dict)
    # Asked only if the answer to the question with code ``condition_question`` is ``condition_value``.
    condition_question = models.SlugField(max_length=64, blank=True)
    condition_value = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["group__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question_set", "code"], name="question_unique"),
            models.CheckConstraint(condition=models.Q(type__in=QuestionType.values), name="question_type_valid"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def text(self) -> str:
        return pick(self.texts)


class AnswerOption(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    code = models.SlugField(max_length=64)
    position = models.PositiveIntegerField(default=0)
    labels = models.JSONField(default=dict)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["question", "code"], name="answeroption_unique")]

    def __str__(self) -> str:
        return self.code

    @property
    def label(self) -> str:
        return pick(self.labels)


class Phrasebook(models.Model):
    """One version of the standard phrases. Like a question set, a published version never
    changes: a message keeps the phrases (rows of this version) it was written with."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    is_current = models.BooleanField(_("current version"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name = _("phrasebook")
        verbose_name_plural = _("phrasebooks")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=models.Q(is_current=True), name="phrasebook_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class Phrase(models.Model):
    """A standard sentence with its text in every language; ``legal_area`` empty for the
    general ones. Placeholders (``{reference}``) are filled in when it is shown."""

    phrasebook = models.ForeignKey(Phrasebook, on_delete=models.CASCADE, related_name="phrases")
    code = models.SlugField(max_length=64)
    legal_area = models.ForeignKey("core.LegalArea", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)
    texts = models.JSONField(default=dict)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["phrasebook", "code"], name="phrase_unique")]

    def __str__(self) -> str:
        return self.code
