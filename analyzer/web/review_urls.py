"""URL map of the review features (issue 15), added to ``analyzer.web.urls``."""

from __future__ import annotations

from django.urls import path

from analyzer.web import review, review_compare, review_progress

urlpatterns = [
    path("review/stepper.js", review.stepper_js, name="review_stepper_js"),
    path("clips/<int:clip_id>/review/", review.review_page, name="review"),
    path("clips/<int:clip_id>/review/data.json", review.review_data_json, name="review_data"),
    path(
        "clips/<int:clip_id>/review/findings/<str:finding_id>/", review.decide, name="review_decide"
    ),
    path("clips/<int:clip_id>/review/flags/", review.add_flag, name="review_flag"),
    path(
        "clips/<int:clip_id>/review/flags/<int:flag_id>/delete/",
        review.delete_flag,
        name="review_flag_delete",
    ),
    path(
        "clips/<int:clip_id>/review/frame/<int:frame>.jpg", review.frame_image, name="review_frame"
    ),
    path("clips/<int:clip_id>/review.json", review.review_json, name="review_json"),
    path("clips/<int:clip_id>/review/import/", review.import_review, name="review_import"),
    path("clips/<int:clip_id>/review.kva", review.review_kva, name="review_kva"),
    path("compare/", review_compare.compare_page, name="compare"),
    path("compare/overlay.json", review_compare.compare_overlay, name="compare_overlay"),
    path("compare/model/", review_compare.mark_model_rep, name="compare_model"),
    path(
        "athletes/<int:athlete_id>/progress/",
        review_progress.athlete_progress,
        name="athlete_progress",
    ),
    path(
        "athletes/<int:athlete_id>/progress.png", review_progress.athlete_plot, name="athlete_plot"
    ),
    path("team/reviews.csv", review_progress.team_reviews_csv, name="team_reviews_csv"),
]
