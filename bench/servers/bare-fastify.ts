/** The baseline: a bare Fastify route that parses the same JSON body and answers 201. */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/v1/subjects/:subjectId/consents', async (request, reply) => {
  const body = request.body as { purposes?: unknown };
  reply.code(201);
  return { streamId: `subject-${(request.params as { subjectId: string }).subjectId}`, received: Array.isArray(body.purposes) };
});
void app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) }).then(() => process.send?.('ready'));
