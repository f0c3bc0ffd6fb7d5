from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from ..serializers.users import MeSerializer


class MeView(APIView):
    @extend_schema(operation_id="me_retrieve", summary="Who the token belongs to", responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)
