"""Events: scene and view (.view), foot contacts (.contacts), phases and reps (.phases)."""
