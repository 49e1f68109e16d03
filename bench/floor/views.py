"""The floor's two views: one booking INSERT under a lock and a constraint; a one-query list."""

from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

# pg_advisory_xact_lock(key, therapist_id): the floor's own first key.
FLOOR_LOCK = 0x666C
SESSION = timedelta(minutes=50)


class FloorBookApi(APIView):
    """POST {"therapist", "start", "email"}: 201 with the row, or 409 when it overlaps."""

    class InputSerializer(serializers.Serializer):
        therapist = serializers.IntegerField(min_value=1)
        start = serializers.DateTimeField()
        email = serializers.EmailField()

    def post(self, request):
        payload = self.InputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", [FLOOR_LOCK, data["therapist"]]
                )
                cursor.execute(
                    "INSERT INTO floor_booking (therapist_id, start_at, end_at, email) "
                    "VALUES (%s, %s, %s, %s) RETURNING id",
                    [data["therapist"], data["start"], data["start"] + SESSION, data["email"]],
                )
                (pk,) = cursor.fetchone()
        except IntegrityError:
            return Response({"detail": "That time is taken."}, status=status.HTTP_409_CONFLICT)
        return Response(
            {"id": pk, "therapist": data["therapist"], "start": data["start"]},
            status=status.HTTP_201_CREATED,
        )


class FloorSlotListApi(APIView):
    """GET ?therapist=: the therapist's bookings from now on, in one query."""

    def get(self, request):
        therapist = serializers.IntegerField(min_value=1).run_validation(
            request.query_params.get("therapist")
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT start_at FROM floor_booking WHERE therapist_id = %s AND start_at >= now() "
                "ORDER BY start_at LIMIT 1000",
                [therapist],
            )
            starts = [row[0].isoformat() for row in cursor.fetchall()]
        return Response({"therapist": therapist, "starts": starts})
